from . import field_maintenance_plan_cancel
from . import field_fgas_balance
from . import field_work_order_complete
from . import field_work_order_hold
from . import field_maintenance_plan_propose
