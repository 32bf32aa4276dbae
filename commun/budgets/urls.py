from django.urls import path

from commun.budgets import views

app_name = "budgets"
urlpatterns = [
    path("besoins/", views.needs, name="needs"),
    path("besoins/nouveau/", views.need_new, name="need_new"),
    path("besoins/<int:pk>/", views.need, name="need"),
    path("besoins/<int:pk>/soutien/", views.need_support, name="need_support"),
    path("besoins/<int:pk>/etat/", views.need_status, name="need_status"),
    path("besoins/<int:pk>/proposer-une-mission/", views.mission_new, name="mission_new"),
    path("besoins/<int:pk>/estimer/", views.estimate, name="estimate"),
    path("missions/", views.missions, name="missions"),
    path("missions/reglages/", views.settings, name="settings"),
    path("missions/<int:pk>/", views.mission, name="mission"),
    path("missions/<int:pk>/modifier/", views.mission_edit, name="mission_edit"),
    path("missions/<int:pk>/estimer/", views.mission_estimate, name="mission_estimate"),
    path("missions/<int:pk>/cout/", views.mission_cost, name="mission_cost"),
    path("missions/<int:pk>/contributeurs/", views.contributor_new, name="contributor_new"),
    path(
        "missions/<int:pk>/contributeurs/<int:share_pk>/",
        views.contributor_edit,
        name="contributor_edit",
    ),
    path(
        "missions/<int:pk>/contributeurs/<int:share_pk>/retirer/",
        views.contributor_remove,
        name="contributor_remove",
    ),
    path("missions/<int:pk>/soumettre/", views.mission_submit, name="mission_submit"),
    path("missions/<int:pk>/amender/", views.mission_amend, name="mission_amend"),
    path("missions/<int:pk>/retirer/", views.mission_withdraw, name="mission_withdraw"),
    path("missions/<int:pk>/revue/", views.mission_review, name="mission_review"),
    path("missions/<int:pk>/complement/", views.mission_top_up, name="mission_top_up"),
    path("missions/<int:pk>/recalcul/", views.mission_recompute, name="mission_recompute"),
    path("missions/<int:pk>/paiements/", views.payment_new, name="payment_new"),
    path("tresorerie/", views.treasury, name="treasury"),
    path("tresorerie/recettes/", views.incomes, name="incomes"),
    path("tresorerie/recettes/<int:pk>/", views.income, name="income"),
    path("tresorerie/recettes/<int:pk>/fin/", views.income_end, name="income_end"),
    path("paiements/<int:pk>/annuler/", views.payment_cancel, name="payment_cancel"),
]
