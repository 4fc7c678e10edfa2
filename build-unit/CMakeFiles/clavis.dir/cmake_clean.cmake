file(REMOVE_RECURSE
  "CMakeFiles/clavis.dir/src/main.c.o"
  "CMakeFiles/clavis.dir/src/main.c.o.d"
  "clavis"
  "clavis.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/clavis.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
