from rest_framework.routers import SimpleRouter

from books import api
from books.shelves import api as shelves

router = SimpleRouter()
router.register("books", api.BookViewSet, basename="api-book")
router.register("me/shelves", shelves.MyShelfViewSet, basename="api-my-shelf")
router.register("me/shelf-imports", shelves.ShelfImportViewSet, basename="api-shelf-import")
router.register("me/import-checks", shelves.ImportCheckViewSet, basename="api-import-check")
router.register("users", shelves.UserShelfViewSet, basename="api-user-shelves")

urlpatterns = router.urls
