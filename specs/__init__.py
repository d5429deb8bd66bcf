"""The cnncost model zoo: spec files shipped inside the package as cnncost.specs."""
