# R05/R06/R07 negative: npm install, run build and test (lifecycle scripts, node -e) with no network
export npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false
export npm_config_cache="$W/npm-cache" npm_config_offline=true
(cd files/npm-build && npm install --no-audit --no-fund && npm run build && npm test)
