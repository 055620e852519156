from django.core.management.base import BaseCommand, CommandError

from huimin.core import audit


class Command(BaseCommand):
    help = "审计链：verify 校验整条链，报告第一处断开"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="逐条重算 SM3 哈希，报告第一处被修改、删除或插入的记录")

    def handle(self, *args, action, **options):
        result = audit.verify()
        if not result.ok:
            raise CommandError(result.message())
        self.stdout.write(result.message())
