from rest_framework import serializers

from .models import Post


class PostSerializer(serializers.ModelSerializer):
    """The same JSON as Gatehouse's postJson (src/server/routes/posts.ts)."""

    owner_username = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = Post
        fields = ["id", "title", "body", "owner", "owner_username", "created_at", "updated_at"]
        read_only_fields = ["owner"]
