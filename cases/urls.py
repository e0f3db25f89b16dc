from django.urls import path

from cases import views
from cases.views import document_steps, preservation, productions, rerun
from cases.views.lists import case_list_csv
from cases.views.notifications import mark_all_read, mark_read, notification_list
from cases.views.order_steps import complete_task
from cases.views.orders import extend_ndo

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("export.csv", case_list_csv, name="export_csv"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/analysis/", views.case_analysis, name="analysis"),
    path("<int:pk>/amend/", views.amend_demand, name="amend"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/sign-off/", views.sign_off, name="sign_off"),
    path("<int:pk>/analyses/<int:analysis>/override/", views.override_holding, name="override"),
    path("<int:pk>/tracks/<str:track>/<str:to>/", views.change_track, name="change_track"),
    path("<int:pk>/events/", views.record_court_event, name="record_event"),
    path("<int:pk>/events/<int:event>/document/", views.event_document, name="event_document"),
    path("<int:pk>/contempt-stay/", views.contempt_stay, name="contempt_stay"),
    path("<int:pk>/deadlines/", views.add_deadline, name="add_deadline"),
    path("<int:pk>/deadlines/<int:deadline>/move/", views.move_deadline, name="move_deadline"),
    path("<int:pk>/deadlines/<int:deadline>/complete/", views.complete_deadline, name="complete_deadline"),
    path("<int:pk>/deadlines/<int:deadline>/cancel/", views.cancel_deadline, name="cancel_deadline"),
    path("<int:pk>/ndo/<int:order>/extend/", extend_ndo, name="extend_ndo"),
    path("<int:pk>/tasks/<int:task>/complete/", complete_task, name="complete_task"),
    path("<int:pk>/export.json", views.case_export_json, name="export_json"),
    path("<int:pk>/memo.pdf", views.case_memo_pdf, name="memo_pdf"),
    path("<int:pk>/productions/", productions.record_production_view, name="record_production"),
    path("<int:pk>/documents/<int:doc>/download/", productions.document_download, name="document_download"),
    path("<int:pk>/documents/", document_steps.add_document, name="add_document"),
    path("<int:pk>/correspondence/", document_steps.record_correspondence, name="record_correspondence"),
    path("<int:pk>/letters/new/", document_steps.new_letter, name="new_letter"),
    path("<int:pk>/extend-preservation/", preservation.extend_preservation_view, name="extend_preservation"),
    path("<int:pk>/disclosure-decision/", preservation.disclosure_decision_view, name="disclosure_decision"),
    path("<int:pk>/what-if/", rerun.rerun, name="what_if"),
    path("<int:pk>/what-if/<int:run>/", rerun.rerun_detail, name="what_if_run"),
]

# The reports, included under /reports/ by config/urls.py.
report_patterns = [
    path("transparency/", views.transparency_report, name="transparency"),
    path("transparency.csv", views.transparency_report_csv, name="transparency_csv"),
    path("transparency.json", views.transparency_report_json, name="transparency_json"),
]

# A person's notifications, included under /notifications/ by config/urls.py.
notification_patterns = [
    path("", notification_list, name="list"),
    path("<int:pk>/read/", mark_read, name="mark_read"),
    path("read/", mark_all_read, name="mark_all_read"),
]
