"""Không Giấy: the Chalice application. Creates the app and wires its parts."""

from chalice import Chalice

from chalicelib.api import (
    admin,
    appraisal,
    campaigns,
    councils,
    health,
    initiatives,
    kpi,
    meetings,
    nominations,
    notifications,
    openapi,
    posting,
    public,
    registry,
    reports,
    results_reports,
    sources,
    webhooks,
)
from chalicelib.api.authorizer import auth_blueprint
from chalicelib.api.cors import register_preflights
from chalicelib.api.middleware import register_middleware
from chalicelib.deploy_guard import refuse_chalice_deploy
from chalicelib.jobs import runner, schedules, stream

refuse_chalice_deploy()  # deploys with `make deploy` (the CDK stack), never chalice deploy
app = Chalice(app_name="khong-giay")
register_middleware(app)
app.register_blueprint(auth_blueprint)
app.register_blueprint(registry.bp)
app.register_blueprint(campaigns.bp)
app.register_blueprint(councils.bp)
app.register_blueprint(admin.bp)
app.register_blueprint(sources.bp)
app.register_blueprint(webhooks.bp)
app.register_blueprint(kpi.bp)
app.register_blueprint(nominations.bp)
app.register_blueprint(initiatives.bp)
app.register_blueprint(appraisal.bp)
app.register_blueprint(posting.bp)
app.register_blueprint(meetings.bp)
app.register_blueprint(openapi.bp)
app.register_blueprint(health.bp)
app.register_blueprint(schedules.bp)
app.register_blueprint(stream.bp)
app.register_blueprint(runner.bp)
app.register_blueprint(reports.bp)
app.register_blueprint(results_reports.bp)
app.register_blueprint(notifications.bp)
app.register_blueprint(public.bp)
register_preflights(app)  # last: one OPTIONS view per path registered above
