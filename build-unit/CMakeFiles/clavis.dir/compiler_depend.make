# Empty compiler generated dependencies file for clavis.
# This may be replaced when dependencies are built.
