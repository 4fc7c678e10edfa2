file(REMOVE_RECURSE
  "CMakeFiles/test_client_json.dir/tests/unit/test_client_json.c.o"
  "CMakeFiles/test_client_json.dir/tests/unit/test_client_json.c.o.d"
  "test_client_json"
  "test_client_json.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_client_json.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
