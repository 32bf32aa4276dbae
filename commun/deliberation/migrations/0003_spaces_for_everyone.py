from django.db import migrations
from django.utils.text import slugify


def create_spaces(apps, schema_editor):
    """The cooperative's space, and one per college and circle that exists already."""
    Space = apps.get_model("deliberation", "Space")
    College = apps.get_model("members", "College")
    Circle = apps.get_model("deliberation", "Circle")

    def unique(base):
        base = (slugify(base) or "espace")[:112]
        slug, n = base, 1
        while Space.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    if not Space.objects.filter(kind="cooperative").exists():
        Space.objects.create(kind="cooperative", name="Toute la coopérative", slug="cooperative")
    for college in College.objects.filter(space__isnull=True):
        Space.objects.create(
            kind="college", college=college, name=college.name, slug=unique(f"college-{college.name}")
        )
    for circle in Circle.objects.filter(space__isnull=True):
        Space.objects.create(
            kind="circle", circle=circle, name=circle.name, slug=unique(f"cercle-{circle.slug}")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("deliberation", "0002_conversations"),
        ("members", "0002_register_append_only"),
    ]

    operations = [migrations.RunPython(create_spaces, migrations.RunPython.noop)]
