# CMake generated Testfile for 
# Source directory: /work/main
# Build directory: /work/main/build-unit
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[test_client_json]=] "/work/main/build-unit/test_client_json")
set_tests_properties([=[test_client_json]=] PROPERTIES  TIMEOUT "120" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;63;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[test_core]=] "/work/main/build-unit/test_core")
set_tests_properties([=[test_core]=] PROPERTIES  TIMEOUT "120" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;63;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[test_crypto]=] "/work/main/build-unit/test_crypto")
set_tests_properties([=[test_crypto]=] PROPERTIES  TIMEOUT "120" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;63;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[test_secret]=] "/work/main/build-unit/test_secret")
set_tests_properties([=[test_secret]=] PROPERTIES  TIMEOUT "120" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;63;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[test_store]=] "/work/main/build-unit/test_store")
set_tests_properties([=[test_store]=] PROPERTIES  TIMEOUT "120" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;63;add_test;/work/main/CMakeLists.txt;0;")
