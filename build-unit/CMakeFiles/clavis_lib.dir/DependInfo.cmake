
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/admin/clients.c" "CMakeFiles/clavis_lib.dir/src/admin/clients.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/admin/clients.c.o.d"
  "/work/main/src/admin/common.c" "CMakeFiles/clavis_lib.dir/src/admin/common.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/admin/common.c.o.d"
  "/work/main/src/admin/secrets.c" "CMakeFiles/clavis_lib.dir/src/admin/secrets.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/admin/secrets.c.o.d"
  "/work/main/src/admin/services.c" "CMakeFiles/clavis_lib.dir/src/admin/services.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/admin/services.c.o.d"
  "/work/main/src/admin/tenants.c" "CMakeFiles/clavis_lib.dir/src/admin/tenants.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/admin/tenants.c.o.d"
  "/work/main/src/admin/users.c" "CMakeFiles/clavis_lib.dir/src/admin/users.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/admin/users.c.o.d"
  "/work/main/src/cli/init.c" "CMakeFiles/clavis_lib.dir/src/cli/init.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/cli/init.c.o.d"
  "/work/main/src/cli/server_cmds.c" "CMakeFiles/clavis_lib.dir/src/cli/server_cmds.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/cli/server_cmds.c.o.d"
  "/work/main/src/core/app.c" "CMakeFiles/clavis_lib.dir/src/core/app.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/core/app.c.o.d"
  "/work/main/src/core/audit.c" "CMakeFiles/clavis_lib.dir/src/core/audit.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/core/audit.c.o.d"
  "/work/main/src/core/client_json.c" "CMakeFiles/clavis_lib.dir/src/core/client_json.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/core/client_json.c.o.d"
  "/work/main/src/core/client_json_rules.c" "CMakeFiles/clavis_lib.dir/src/core/client_json_rules.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/core/client_json_rules.c.o.d"
  "/work/main/src/core/config.c" "CMakeFiles/clavis_lib.dir/src/core/config.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/core/config.c.o.d"
  "/work/main/src/core/err.c" "CMakeFiles/clavis_lib.dir/src/core/err.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/core/err.c.o.d"
  "/work/main/src/core/ids.c" "CMakeFiles/clavis_lib.dir/src/core/ids.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/core/ids.c.o.d"
  "/work/main/src/core/log.c" "CMakeFiles/clavis_lib.dir/src/core/log.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/core/log.c.o.d"
  "/work/main/src/core/model.c" "CMakeFiles/clavis_lib.dir/src/core/model.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/core/model.c.o.d"
  "/work/main/src/core/secret.c" "CMakeFiles/clavis_lib.dir/src/core/secret.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/core/secret.c.o.d"
  "/work/main/src/crypto/b64.c" "CMakeFiles/clavis_lib.dir/src/crypto/b64.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/crypto/b64.c.o.d"
  "/work/main/src/crypto/hash.c" "CMakeFiles/clavis_lib.dir/src/crypto/hash.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/crypto/hash.c.o.d"
  "/work/main/src/crypto/jwt.c" "CMakeFiles/clavis_lib.dir/src/crypto/jwt.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/crypto/jwt.c.o.d"
  "/work/main/src/crypto/keys.c" "CMakeFiles/clavis_lib.dir/src/crypto/keys.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/crypto/keys.c.o.d"
  "/work/main/src/crypto/password.c" "CMakeFiles/clavis_lib.dir/src/crypto/password.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/crypto/password.c.o.d"
  "/work/main/src/crypto/rand.c" "CMakeFiles/clavis_lib.dir/src/crypto/rand.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/crypto/rand.c.o.d"
  "/work/main/src/http/form.c" "CMakeFiles/clavis_lib.dir/src/http/form.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/http/form.c.o.d"
  "/work/main/src/http/h_admin.c" "CMakeFiles/clavis_lib.dir/src/http/h_admin.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/http/h_admin.c.o.d"
  "/work/main/src/http/h_admin_clients.c" "CMakeFiles/clavis_lib.dir/src/http/h_admin_clients.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/http/h_admin_clients.c.o.d"
  "/work/main/src/http/h_oauth.c" "CMakeFiles/clavis_lib.dir/src/http/h_oauth.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/http/h_oauth.c.o.d"
  "/work/main/src/http/req.c" "CMakeFiles/clavis_lib.dir/src/http/req.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/http/req.c.o.d"
  "/work/main/src/http/resp.c" "CMakeFiles/clavis_lib.dir/src/http/resp.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/http/resp.c.o.d"
  "/work/main/src/http/router.c" "CMakeFiles/clavis_lib.dir/src/http/router.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/http/router.c.o.d"
  "/work/main/src/http/server.c" "CMakeFiles/clavis_lib.dir/src/http/server.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/http/server.c.o.d"
  "/work/main/src/oauth/access.c" "CMakeFiles/clavis_lib.dir/src/oauth/access.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/oauth/access.c.o.d"
  "/work/main/src/oauth/client_auth.c" "CMakeFiles/clavis_lib.dir/src/oauth/client_auth.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/oauth/client_auth.c.o.d"
  "/work/main/src/oauth/discovery.c" "CMakeFiles/clavis_lib.dir/src/oauth/discovery.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/oauth/discovery.c.o.d"
  "/work/main/src/oauth/introspect.c" "CMakeFiles/clavis_lib.dir/src/oauth/introspect.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/oauth/introspect.c.o.d"
  "/work/main/src/oauth/token.c" "CMakeFiles/clavis_lib.dir/src/oauth/token.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/oauth/token.c.o.d"
  "/work/main/src/store/sqlite.c" "CMakeFiles/clavis_lib.dir/src/store/sqlite.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/store/sqlite.c.o.d"
  "/work/main/src/store/sqlite_bind.c" "CMakeFiles/clavis_lib.dir/src/store/sqlite_bind.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/store/sqlite_bind.c.o.d"
  "/work/main/src/store/sqlite_client.c" "CMakeFiles/clavis_lib.dir/src/store/sqlite_client.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/store/sqlite_client.c.o.d"
  "/work/main/src/store/sqlite_rows.c" "CMakeFiles/clavis_lib.dir/src/store/sqlite_rows.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/store/sqlite_rows.c.o.d"
  "/work/main/src/store/sqlite_sql.c" "CMakeFiles/clavis_lib.dir/src/store/sqlite_sql.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/store/sqlite_sql.c.o.d"
  "/work/main/src/store/store.c" "CMakeFiles/clavis_lib.dir/src/store/store.c.o" "gcc" "CMakeFiles/clavis_lib.dir/src/store/store.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
