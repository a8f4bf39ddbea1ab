from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from django.conf import settings
        from PIL import Image

        # Pillow's own bomb check (a warning past the cap, an error past twice the cap) at our cap,
        # for every image anything in the process opens; documents.inspection also turns the warning
        # into an error and checks the header itself before decoding.
        Image.MAX_IMAGE_PIXELS = settings.DOCUMENT_MAX_PIXELS
