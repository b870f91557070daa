from rest_framework.routers import SimpleRouter

from books import api

router = SimpleRouter()
router.register("books", api.BookViewSet, basename="api-book")

urlpatterns = router.urls
