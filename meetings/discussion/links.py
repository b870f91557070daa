from django.urls import reverse


def post_url(post) -> str:
    """Where a post is read: the discussion page, at its thread."""
    return f"{reverse('meetings:discussion', args=[post.meeting_id])}#post-{post.pk}"
