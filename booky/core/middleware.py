"""Request guards that apply to every URL."""

from django.http import Http404


class RejectNulBytesMiddleware:
    """A NUL byte in the path is never a real address; PostgreSQL also refuses it in text columns,
    so stopping it here keeps every lookup from turning it into a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404("No page has that address.")
        return self.get_response(request)
