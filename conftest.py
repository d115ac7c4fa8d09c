"""Set before anything imports scipy or scikit-learn: their array API support needs it.

scikit-learn's array API checks (``check_array_api_input`` and friends, which the common
tests run because the estimators declare ``array_api_support``) skip themselves unless
``SCIPY_ARRAY_API=1`` was set before scipy was first imported; pytest imports this file
before any test module.
"""

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")
