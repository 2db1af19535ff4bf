from datetime import timedelta

from markupsafe import Markup

from odoo import Command, fields, http
from odoo.http import request
from odoo.tools import plaintext2html
from odoo.tools.mimetypes import guess_mimetype

# photos of a request: how many, how big, which kinds (the content is checked, not the name)
MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_MIMETYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
MAX_DESCRIPTION = 5000
MAX_FIELD = 200


class FieldServiceRequestPortal(http.Controller):
    """Service requests: a portal customer (``/my/service_request``) or, when the
    company enabled it, anyone (``/service_request``) describes a problem and adds
    photos; a draft work order (with its SLA) is created and acknowledged by e-mail.

    The POST routes are ``type="http"`` routes with Odoo's CSRF protection. Portal users
    have no access rights on work orders: the controller creates them as superuser, with
    values it checked (installation and site of the user's own customer, photos limited
    in number, size and type). The public form is rate limited per network address (the
    requests of the last hour, counted in the database). The acknowledgement is a QWeb
    view of the module (not an editable e-mail template) with the user's text escaped.
    """

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _request_customer_values(self, partner):
        commercial = partner.commercial_partner_id
        # sudo: the installations and addresses of the user's own customer only
        installations = (
            request.env["field.equipment"]
            .sudo()
            .search([("commercial_partner_id", "=", commercial.id)], order="name, id")
        )
        # sudo: as above
        sites = (
            request.env["res.partner"]
            .sudo()
            .search([("id", "child_of", commercial.id)], order="type, name, id")
        )
        return installations, sites

    def _request_photos(self, files):
        """``[(name, content, mimetype)]`` of the uploaded photos, or a translated error."""
        files = [upload for upload in files if upload and upload.filename]
        if len(files) > MAX_PHOTOS:
            return None, request.env._("Add at most %s photos.", MAX_PHOTOS)
        photos = []
        for upload in files:
            content = upload.read(MAX_PHOTO_BYTES + 1)
            if len(content) > MAX_PHOTO_BYTES:
                return None, request.env._(
                    "Photo %(name)s is too large (at most %(size)s MB).",
                    name=upload.filename,
                    size=MAX_PHOTO_BYTES // (1024 * 1024),
                )
            mimetype = guess_mimetype(content)
            if mimetype not in PHOTO_MIMETYPES:
                return None, request.env._(
                    "%s is not a photo: add JPEG, PNG or WebP images.", upload.filename
                )
            photos.append((upload.filename[:MAX_FIELD], content, mimetype))
        return photos, None

    def _request_description(self, description):
        description = (description or "").strip()
        if not description:
            return None, request.env._("Please describe the problem.")
        if len(description) > MAX_DESCRIPTION:
            return None, request.env._(
                "Please describe the problem in at most %s characters.", MAX_DESCRIPTION
            )
        return description, None

    def _request_create(self, vals, description, photos, origin):
        """Create the draft work order (as superuser, from checked values), attach the
        photos and acknowledge the request to the customer."""
        summary = description.splitlines()[0][:80]
        # sudo: portal and public users have no rights on work orders; the values were
        # checked by the caller (the user's own customer, installation and site)
        order = (
            request.env["field.work.order"]
            .sudo()
            .with_context(mail_create_nosubscribe=True)
            .create(
                {
                    **vals,
                    "summary": summary,
                    "description": plaintext2html(description),
                    "self_service_origin": origin,
                }
            )
        )
        if photos:
            # sudo: the photos the user just uploaded (checked), on their new work order
            attachments = (
                request.env["ir.attachment"]
                .sudo()
                .create(
                    [
                        {
                            "name": name,
                            "raw": content,
                            "mimetype": mimetype,
                            "res_model": order._name,
                            "res_id": order.id,
                        }
                        for name, content, mimetype in photos
                    ]
                )
            )
            order.photo_ids = [Command.link(attachment.id) for attachment in attachments]
        self._request_acknowledge(order)
        return order

    def _request_acknowledge(self, order):
        """E-mail the customer that the request was received (a note of the chatter sent
        to them, its body the module's QWeb view, the user's text escaped)."""
        partner = order.partner_id
        lang = partner.lang or request.env.lang
        body = (
            request.env["ir.qweb"]
            .with_context(lang=lang)
            ._render(
                "field_maintenance.service_request_acknowledgement",
                {"order": order, "company": order.company_id, "partner": partner},
            )
        )
        order.with_context(lang=lang).message_post(
            body=Markup(body),
            subject=order.with_context(lang=lang).env._(
                "%(company)s: we received your request %(order)s",
                company=order.company_id.name,
                order=order.name,
            ),
            author_id=order.company_id.partner_id.id,
            partner_ids=partner.ids if partner.email else [],
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )

    # ------------------------------------------------------------------
    # Portal customers
    # ------------------------------------------------------------------

    def _portal_request_render(self, values=None, error=None, status=200):
        installations, sites = self._request_customer_values(request.env.user.partner_id)
        return request.render(
            "field_maintenance.portal_service_request",
            {
                "installations": installations,
                "sites": sites,
                "error": error,
                "values": values or {},
                "page_name": "service_request",
                "max_photos": MAX_PHOTOS,
            },
            status=status,
        )

    @http.route(
        "/my/service_request",
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
        readonly=True,
    )
    def portal_service_request(self, **kwargs):
        return self._portal_request_render()

    @http.route("/my/service_request", type="http", auth="user", methods=["POST"], website=True)
    def portal_service_request_submit(
        self, description=None, equipment_id=None, site_id=None, **kwargs
    ):
        partner = request.env.user.partner_id
        installations, sites = self._request_customer_values(partner)
        values = {"description": description, "equipment_id": equipment_id, "site_id": site_id}
        description, error = self._request_description(description)
        equipment = installations.filtered(lambda rec: str(rec.id) == str(equipment_id or ""))
        site = sites.filtered(lambda rec: str(rec.id) == str(site_id or ""))
        if not error and equipment_id and not equipment:
            error = request.env._("Please choose one of your installations.")
        if not error and site_id and not site:
            error = request.env._("Please choose one of your addresses.")
        photos = []
        if not error:
            photos, error = self._request_photos(request.httprequest.files.getlist("photos"))
        if error:
            return self._portal_request_render(values, error, status=400)
        vals = {
            "partner_id": partner.id,
            "company_id": (
                equipment.company_id
                or partner.commercial_partner_id.company_id
                or request.env.company
            ).id,
        }
        if site or equipment.site_partner_id:
            vals["site_partner_id"] = (site or equipment.site_partner_id).id
        if equipment:
            vals["equipment_ids"] = [Command.set(equipment.ids)]
        order = self._request_create(vals, description, photos, "portal_request")
        return request.render(
            "field_maintenance.service_request_thanks",
            {"order": order, "page_name": "service_request"},
        )

    # ------------------------------------------------------------------
    # Public form
    # ------------------------------------------------------------------

    def _public_request_enabled(self):
        return request.env.company.fm_public_request_enabled

    def _public_request_limited(self, ip_address):
        """Whether ``ip_address`` sent the company's limit of requests in the last hour."""
        company = request.env.company
        since = fields.Datetime.now() - timedelta(hours=1)
        # sudo: a count of the requests of one address, nothing is shown
        count = (
            request.env["field.work.order"]
            .sudo()
            .with_context(active_test=False)
            .search_count(
                [
                    ("self_service_origin", "=", "public_request"),
                    ("request_ip", "=", ip_address),
                    ("create_date", ">=", since),
                ]
            )
        )
        return count >= company.fm_request_rate_limit

    def _public_request_render(self, values=None, error=None, status=200):
        return request.render(
            "field_maintenance.public_service_request",
            {
                "error": error,
                "values": values or {},
                "res_company": request.env.company,
                "max_photos": MAX_PHOTOS,
            },
            status=status,
        )

    @http.route(
        "/service_request",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
        readonly=True,
    )
    def public_service_request(self, **kwargs):
        if not self._public_request_enabled():
            raise request.not_found()
        return self._public_request_render()

    @http.route(
        "/service_request",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def public_service_request_submit(self, **post):
        if not self._public_request_enabled():
            raise request.not_found()
        ip_address = request.httprequest.remote_addr or ""
        if self._public_request_limited(ip_address):
            return self._public_request_render(
                post,
                request.env._("Too many requests from your network. Please try again later."),
                status=429,
            )
        values = {
            key: (post.get(key) or "").strip()[:MAX_FIELD]
            for key in ("name", "email", "phone", "street", "zip", "city")
        }
        description, error = self._request_description(post.get("description"))
        if not error and not values["name"]:
            error = request.env._("Please give your name.")
        if not error and not (values["email"] or values["phone"]):
            error = request.env._("Please give an e-mail address or a phone number.")
        if not error and values["email"] and "@" not in values["email"]:
            error = request.env._("Please give a valid e-mail address.")
        photos = []
        if not error:
            photos, error = self._request_photos(request.httprequest.files.getlist("photos"))
        if error:
            return self._public_request_render({**post, **values}, error, status=400)
        company = request.env.company
        # sudo: a new contact from the form's values (never an existing one: an e-mail
        # address typed in a public form proves nothing), for the dispatcher to check
        partner = (
            request.env["res.partner"]
            .sudo()
            .create({**values, "company_id": company.id, "lang": request.env.lang})
        )
        vals = {"partner_id": partner.id, "company_id": company.id, "request_ip": ip_address}
        order = self._request_create(vals, description, photos, "public_request")
        return request.render(
            "field_maintenance.service_request_thanks",
            {"order": order, "res_company": company, "public": True},
        )
