# Empty dependencies file for test_crypto.
# This may be replaced when dependencies are built.
