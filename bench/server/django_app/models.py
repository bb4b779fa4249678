from django.conf import settings
from django.db import models


class Post(models.Model):
    """Gatehouse's demo post (src/store/posts.ts): a title, a body, an owner, two timestamps."""

    title = models.CharField(max_length=200)
    body = models.TextField(max_length=10_000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="posts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
