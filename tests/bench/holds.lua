-- wrk script: one checkout hold of one unit per request, on the bench SKU.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk_test_upfront_demo_local"
wrk.body = '{"sku":"BENCH-HOLDS","qty":1,"ttl_seconds":1800}'
