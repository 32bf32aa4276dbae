from django.urls import path

from commun.board import views

app_name = "board"
urlpatterns = [
    path("tableau/", views.board, name="board"),
    path("tableau/liste/", views.task_list, name="list"),
    path("tableau/mes-taches/", views.my_tasks, name="mine"),
    path("tableau/forge/<slug:forge>/", views.forge_hook, name="forge"),
    path("tableau/taches/<int:pk>/", views.task, name="task"),
    path("tableau/taches/<int:pk>/modifier/", views.task_edit, name="edit"),
    path("tableau/taches/<int:pk>/deplacer/", views.task_move, name="move"),
    path("tableau/taches/<int:pk>/<slug:action>/", views.task_action, name="action"),
    path("besoins/<int:need_pk>/nouvelle-tache/", views.task_new, name="task_new"),
    path("besoins/<int:need_pk>/importer-des-taches/", views.task_import, name="import"),
]
