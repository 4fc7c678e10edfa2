# Empty dependencies file for test_client_json.
# This may be replaced when dependencies are built.
