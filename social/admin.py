from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from social.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "display_name", "timezone", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "profile_visibility", "date_joined"]
    search_fields = ["username", "email", "display_name"]
    ordering = ["username"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Booky profile", {"fields": ["display_name", "bio", "timezone", "profile_visibility", "avatar"]}),
        ("Account deletion", {"fields": ["deleted_at"]}),
    ]
    readonly_fields = ["deleted_at"]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "email", "usable_password", "password1", "password2"],
            },
        ),
    ]
