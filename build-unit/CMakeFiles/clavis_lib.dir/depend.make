# Empty dependencies file for clavis_lib.
# This may be replaced when dependencies are built.
