# Empty compiler generated dependencies file for test_secret.
# This may be replaced when dependencies are built.
