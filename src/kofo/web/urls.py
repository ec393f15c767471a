"""URLs of the web UI (namespace ``web``). Login and password change are in ``auth_urls``."""

from django.urls import path

from kofo.web.views import (
    agreements,
    audit,
    calculators,
    claims,
    dashboard,
    debtors,
    intake,
    ledger,
    partners,
    tokens,
)

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("partner/", partners.partner_list, name="partner_list"),
    path("partner/<slug:key>/", partners.partner_detail, name="partner_detail"),
    path("vereinbarungen/", agreements.agreement_list, name="agreement_list"),
    path("vereinbarungen/<int:pk>/", agreements.agreement_detail, name="agreement_detail"),
    path("ersuchen/", intake.batch_list, name="batch_list"),
    path("ersuchen/neu/", intake.batch_upload, name="batch_upload"),
    path("ersuchen/<int:pk>/", intake.batch_detail, name="batch_detail"),
    path("ersuchen/<int:pk>/ablehnungsbericht.csv", intake.batch_report, name="batch_report"),
    path("ersuchen/<int:pk>/erneut-einlesen/", intake.batch_replay, name="batch_replay"),
    path("forderungen/", claims.claim_list, name="claim_list"),
    path("forderungen/<int:pk>/", claims.claim_detail, name="claim_detail"),
    path("forderungen/<int:pk>/aendern/<slug:kind>/", claims.claim_change, name="claim_change"),
    path("schuldner/", debtors.debtor_list, name="debtor_list"),
    path("schuldner/pruefung/", debtors.review_list, name="review_list"),
    path("schuldner/pruefung/<int:pk>/", debtors.review_detail, name="review_detail"),
    path("schuldner/pruefung/<int:pk>/entscheiden/", debtors.review_decide, name="review_decide"),
    path("schuldner/<str:number>/", debtors.debtor_detail, name="debtor_detail"),
    path("schuldner/<str:number>/zusammenfuehren/", debtors.debtor_merge, name="debtor_merge"),
    path("schuldner/<str:number>/abspalten/", debtors.debtor_split, name="debtor_split"),
    path("rechner/", calculators.calculator_page, name="calculators"),
    path("rechner/<slug:name>/", calculators.calculate, name="calculate"),
    path("hauptbuch/", ledger.account_list, name="ledger"),
    path("hauptbuch/konten/<int:pk>/", ledger.account_detail, name="account_detail"),
    path("hauptbuch/buchungen/<int:pk>/", ledger.transaction_detail, name="transaction_detail"),
    path("pruefpfad/", audit.audit_list, name="audit_list"),
    path("pruefpfad/kette-pruefen/", audit.audit_verify, name="audit_verify"),
    path("datenzugriffe/", audit.data_access_list, name="data_access_list"),
    path("api-tokens/", tokens.token_list, name="token_list"),
    path("api-tokens/neu/", tokens.token_issue, name="token_issue"),
    path("api-tokens/<int:pk>/widerrufen/", tokens.token_revoke, name="token_revoke"),
]
