# R05 positive: npm install runs the package's postinstall script (sh -c "node scripts/setup.js"),
# which connects out
export npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false
export npm_config_cache="$W/npm-cache" npm_config_offline=true
http_up
(cd files/npm-postinstall-net && npm install --no-audit --no-fund)
http_down
