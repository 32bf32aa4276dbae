from ninja import Router

router = Router(tags=["Communs amont"])
