"""The bounds of an id, named once for the pages and the API."""

# Ids are 64-bit (BigAutoField): past this, the database raises rather than finds nothing,
# so a page answers 404 for a larger number before asking it.
MAX_ID = 2**63 - 1
# The API's contract (its OpenAPI document) promises 32-bit ids and refuses larger ones.
MAX_API_ID = 2**31 - 1
