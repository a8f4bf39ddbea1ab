"""Helpers shared by the browser tests."""

HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"


def wait_for_htmx(page, timeout: float = 5000) -> None:
    """Wait until htmx has finished swapping and settling.

    A person types long after htmx settles (20 ms); a test does not. Filling an input in the
    middle of the settle step can be lost, so tests wait for it before typing into new content.
    """
    page.wait_for_function(f"() => !document.querySelector({HTMX_BUSY!r})", timeout=timeout)
