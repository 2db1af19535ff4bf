from . import portal
from . import portal_booking
from . import portal_request
from . import portal_signature
from . import portal_quotation
from . import fgas_portal
