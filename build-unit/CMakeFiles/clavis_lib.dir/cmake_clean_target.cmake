file(REMOVE_RECURSE
  "libclavis_lib.a"
)
