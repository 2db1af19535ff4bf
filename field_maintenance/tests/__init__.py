from . import test_access
from . import test_calendar
from . import test_demo
from . import test_report
from . import test_workflow
