"""Write notebooks/report.ipynb, the master notebook, from the cell list below.

The notebook is committed; this script keeps it reviewable as code. Run it after changing a cell:
    python tools/make_notebook.py [OUTPUT]
"""

from nbformat.v4 import new_code_cell, new_markdown_cell
from notebook_file import write

HIDE = ["remove-cell"]

cells = [
    new_markdown_cell(
        "# 政府信息公开工作年度报告 · 主笔记本\n\n"
        "papermill 按单位和年度执行本笔记本（参数见下一格），nbconvert 把结果渲染为 HTML 和 PDF。"
        "每个代码格只调用 `nianbao.present` 的一个函数；本说明格和参数格不出现在报告中。\n\n"
        "在 JupyterLab 中直接“全部运行”即按默认参数生成示例单位的报告。",
        metadata={"tags": HIDE},
    ),
    new_code_cell(
        'agency: str = "yueyanglou"  # 单位代码，与 params/agencies.yaml、data/<年度>/ 中的文件名一致\n'
        "year: int = 2024  # 报告年度（统计期为该年 1 月 1 日至 12 月 31 日）\n"
        'project_dir: str = ""  # 项目目录；留空则从当前目录向上查找含 params/agencies.yaml 的目录\n'
        'data_dir: str = ""  # 数据目录（相对项目目录）；留空则用项目的 data/\n'
        "rules: list = []  # 另加的规则包（YAML 文件的路径）；params/rules/ 中的规则包总会用上",
        metadata={"tags": ["parameters", *HIDE]},
    ),
    new_code_cell(
        "import nianbao.present as nb\n\nreport = nb.prepare(agency, year, project_dir, data_dir, rules)",
        metadata={"tags": HIDE},
    ),
    new_code_cell("nb.title(report)"),
    new_code_cell("nb.preamble(report)"),
    new_code_cell('nb.part(report, "overview")'),
    new_code_cell('nb.part(report, "active")'),
    new_code_cell('nb.part(report, "requests")'),
    new_code_cell('nb.part(report, "appeals")'),
    new_code_cell('nb.part(report, "problems")'),
    new_code_cell('nb.part(report, "other")'),
    new_code_cell("nb.signature(report)"),
    new_code_cell("nb.checks(report)"),
    new_code_cell("nb.charts(report)"),
    new_code_cell("nb.changes(report)"),
    new_code_cell("nb.colophon(report)"),
]

write(cells, "report.ipynb")
