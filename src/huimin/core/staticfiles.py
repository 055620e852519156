"""WhiteNoise as Huimin runs it: from the apps' static directories (WHITENOISE_USE_FINDERS) wherever collectstatic
has not filled STATIC_ROOT — ``make demo`` and a development server never run it — and from STATIC_ROOT once a
deployment has (docs/deploy.md). Stock WhiteNoise warns "No directory at: …/staticfiles/" in the first case."""

from pathlib import Path

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    def add_files(self, root, prefix=None):
        if settings.STATIC_ROOT and Path(root) == Path(settings.STATIC_ROOT) and not Path(root).is_dir():
            return  # nothing collected: the finders serve every file
        super().add_files(root, prefix)
