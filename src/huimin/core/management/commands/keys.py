from django.core.management.base import BaseCommand, CommandError

from huimin.core import audit, crypto, keyrotation


class Command(BaseCommand):
    help = "加密密钥：generate 生成新密钥；status 各密钥加密的数据量；rotate 用当前密钥重新加密全部数据"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        gen = sub.add_parser("generate", help="生成一把新密钥（写入配置 HUIMIN_FIELD_KEYS 的最前面即成为当前密钥）")
        gen.add_argument("key_id")
        sub.add_parser("status", help="按密钥统计各加密字段的记录数")
        rot = sub.add_parser("rotate", help="把旧密钥加密的数据分批改用当前密钥加密；可中断、可重跑")
        rot.add_argument("--batch-size", type=int, default=2000)

    def handle(self, *args, action, **options):
        if action == "generate":
            self.stdout.write(crypto.generate_key_line(options["key_id"]))
            return
        if action == "status":
            for label, counts in keyrotation.status().items():
                self.stdout.write(f"{label}: " + ", ".join(f"{k or '空'}={n}" for k, n in sorted(counts.items())))
            return
        try:
            total = keyrotation.rotate(batch_size=options["batch_size"], progress=self.stdout.write)
        except crypto.DecryptionError as exc:
            raise CommandError(f"轮换中止：{exc}（请确认旧密钥仍在 HUIMIN_FIELD_KEYS 中）") from exc
        audit.record("core.keys.rotate", detail=f"重新加密 {total} 个字段值，当前密钥 {crypto.key_ring().current_id}")
        self.stdout.write(f"密钥轮换完成：重新加密 {total} 个字段值，当前密钥 {crypto.key_ring().current_id}")
