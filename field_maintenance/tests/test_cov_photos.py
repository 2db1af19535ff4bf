"""Photos of work orders: technicians add them while they work, the report and the
customer's portal page show them, a duplicate or follow-up starts without them."""

import base64

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PNG, FieldMaintenanceCase, FieldPortalCase

PDF = base64.b64encode(b"%PDF-1.4\n%%EOF\n")


class PhotoMixin:
    def _upload(self, order, name, datas=PNG, user=None):
        """What the "Add photos" widget does: upload the file on the work order, then link
        it."""
        Attachment = self.env["ir.attachment"].with_user(user or self.technician)
        return Attachment.create(
            {"name": name, "datas": datas, "res_model": "field.work.order", "res_id": order.id}
        )

    def _add_photos(self, order, *names, user=None):
        user = user or self.technician
        photos = self.env["ir.attachment"]
        for name in names:
            datas = PDF if name.endswith(".pdf") else PNG
            photos |= self._upload(order, name, datas, user)
        order.with_user(user).write({"photo_ids": [Command.link(photo.id) for photo in photos]})
        return photos


@tagged("post_install", "-at_install")
class TestPhotos(PhotoMixin, FieldMaintenanceCase):
    def test_technician_adds_photos_while_working(self):
        order = self._order_in_state("in_progress")
        photos = self._add_photos(order, "boiler-before.png", "boiler-after.png")
        self.assertEqual(order.photo_ids, photos)
        self.assertEqual(set(photos.mapped("mimetype")), {"image/png"})
        # the technician sees them on the work order
        self.assertEqual(
            order.with_user(self.technician).photo_ids.mapped("name"),
            ["boiler-before.png", "boiler-after.png"],
        )
        # and removes a wrong one
        order.with_user(self.technician).write({"photo_ids": [Command.unlink(photos[1].id)]})
        self.assertEqual(order.photo_ids, photos[0])

    def test_photos_only_on_own_open_work_orders(self):
        mine = self._order_in_state("in_progress")
        other = self._order_in_state(
            "in_progress", technician_ids=[Command.set(self.technician_2.ids)]
        )
        done = self._order_in_state("in_progress")
        self._add_photos(mine, "ok.png")  # positive control
        with self.assertRaises(AccessError):
            self._upload(other, "not-mine.png")
        photo = self._upload(mine, "second.png")
        with self.assertRaises(AccessError):
            other.with_user(self.technician).write({"photo_ids": [Command.link(photo.id)]})
        self.assertFalse(other.photo_ids)
        done.action_done()
        with self.assertRaises(UserError):
            done.with_user(self.technician).write({"photo_ids": [Command.link(photo.id)]})
        self.assertFalse(done.photo_ids)
        # a dispatcher still adds one to a completed work order
        self._add_photos(done, "office.png", user=self.dispatcher)
        self.assertEqual(done.photo_ids.mapped("name"), ["office.png"])

    def test_no_photo_linked_from_a_file_the_technician_may_not_read(self):
        """A technician cannot link to their work order a file of a work order they do not
        work on: the report and the customer's portal page would show it."""
        mine = self._order_in_state("in_progress")
        other = self._order_in_state(
            "in_progress",
            partner_id=self.other_customer.id,
            technician_ids=[Command.set(self.technician_2.ids)],
        )
        secret = self._upload(other, "other-customer.png", user=self.technician_2)
        with self.assertRaises(AccessError):
            secret.with_user(self.technician).read(["name"])
        with self.assertRaises(AccessError):
            mine.with_user(self.technician).write({"photo_ids": [Command.link(secret.id)]})
        self.assertFalse(mine.photo_ids)
        own = self._upload(mine, "own.png")  # positive control
        mine.with_user(self.technician).write({"photo_ids": [Command.link(own.id)]})
        self.assertEqual(mine.photo_ids, own)

    def _report(self, order):
        return (
            self.env["ir.actions.report"]
            ._render_qweb_html("field_maintenance.action_report_work_order", order.ids)[0]
            .decode()
        )

    def test_report_prints_the_photos(self):
        without = self._order_in_state("in_progress")
        html_without = self._report(without)
        self.assertNotIn('name="photos"', html_without, "no photo section without photos")
        order = self._order_in_state("in_progress")
        self._add_photos(order, "boiler-before.png", "boiler-after.png", "quote.pdf")
        html = self._report(order)
        self.assertIn('name="photos"', html)
        self.assertIn("boiler-before.png", html)
        self.assertIn("boiler-after.png", html)
        self.assertEqual(
            html.count("data:image/png;base64") - html_without.count("data:image/png;base64"),
            2,
            "the two images",
        )
        self.assertNotIn("quote.pdf", html, "only images are printed")

    def test_duplicate_and_follow_up_start_without_photos(self):
        order = self._order_in_state("in_progress")
        photos = self._add_photos(order, "leak.png")
        duplicate = order.copy()
        self.assertFalse(duplicate.photo_ids)
        self.assertEqual(order.photo_ids, photos, "the original keeps its photos")


@tagged("post_install", "-at_install")
class TestPhotosPortal(PhotoMixin, FieldPortalCase):
    def test_customer_sees_the_photos(self):
        order = self._order_in_state("in_progress")
        self._add_photos(order, "boiler-after.png", "quote.pdf")
        self._log_in_portal()
        page = self.url_open(f"/my/work_orders/{order.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn('id="photos"', page.text)
        self.assertIn('alt="boiler-after.png"', page.text)
        self.assertNotIn("quote.pdf", page.text)
