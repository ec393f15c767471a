"""URLs of the web UI (namespace ``web``). Login and password change are in ``auth_urls``."""

from django.urls import path

from kofo.web.views import agreements, audit, dashboard, ledger, partners, tokens

app_name = "web"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("partner/", partners.partner_list, name="partner_list"),
    path("partner/<slug:key>/", partners.partner_detail, name="partner_detail"),
    path("vereinbarungen/", agreements.agreement_list, name="agreement_list"),
    path("vereinbarungen/<int:pk>/", agreements.agreement_detail, name="agreement_detail"),
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
