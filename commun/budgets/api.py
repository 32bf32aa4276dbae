from ninja import Router

router = Router(tags=["Besoins et missions"])
