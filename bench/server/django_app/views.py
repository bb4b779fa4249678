from rest_framework import viewsets

from .models import Post
from .serializers import PostSerializer


class PostViewSet(viewsets.ModelViewSet):
    """/api/posts/ and /api/posts/<id>/, as Gatehouse's demo API; the permission is the
    REST_FRAMEWORK default, IsAuthenticated (Gatehouse's rule for GET: authenticated)."""

    queryset = Post.objects.select_related("owner")
    serializer_class = PostSerializer

    def perform_create(self, serializer):
        serializer.save(owner=self.request.user)
