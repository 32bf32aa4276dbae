"""What the feeds' tests share beyond their conftest."""

# The title of a draft mission that no feed, page or calendar may show.
HIDDEN = "Le brouillon caché de Bob"
