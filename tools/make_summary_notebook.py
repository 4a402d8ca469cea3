"""Write notebooks/summary.ipynb, the year overview across agencies, from the cell list below.

The notebook is committed; this script keeps it reviewable as code. Run it after changing a cell:
    python tools/make_summary_notebook.py [OUTPUT]
"""

from nbformat.v4 import new_code_cell, new_markdown_cell
from notebook_file import write

HIDE = ["remove-cell"]

cells = [
    new_markdown_cell(
        "# 政府信息公开工作年度报告 · 年度汇总\n\n"
        "papermill 按年度执行本笔记本（`nianbao batch` 与该年各单位的报告并行运行它，有报告失败则在全部完成后按失败名单重做），nbconvert 把结果渲染为 "
        "HTML 和 PDF：各表合计、各单位比较、图表，以及未报送、数据无法读取、渲染失败或校验有错误的单位。"
        "每个代码格只调用 `nianbao.summary` 的一个函数；本说明格和参数格不出现在汇总中。",
        metadata={"tags": HIDE},
    ),
    new_code_cell(
        "year: int = 2024  # 汇总的年度\n"
        'project_dir: str = ""  # 项目目录；留空则从当前目录向上查找含 params/agencies.yaml 的目录\n'
        'data_dir: str = ""  # 数据目录（相对项目目录）；留空则用项目的 data/\n'
        "failed: dict = {}  # 报告渲染失败的单位 → 原因，由 nianbao batch 传入\n"
        "rules: list = []  # 另加的规则包（YAML 文件的路径）；params/rules/ 中的规则包总会用上",
        metadata={"tags": ["parameters", *HIDE]},
    ),
    new_code_cell(
        "import nianbao.summary as s\n\noverview = s.prepare(year, project_dir, data_dir, failed, rules)",
        metadata={"tags": HIDE},
    ),
    new_code_cell("s.title(overview)"),
    new_code_cell("s.totals(overview)"),
    new_code_cell("s.compare(overview)"),
    new_code_cell("s.charts(overview)"),
    new_code_cell("s.problems(overview)"),
]

write(cells, "summary.ipynb")
