//! Accessibility: [`Driver::check_axe`] runs axe-core (`web/vendor/axe.min.js`) on the current
//! page and fails on a serious or critical violation.

use serde_json::json;

use super::Driver;

impl Driver {
    /// Runs axe-core on the current page and fails on serious or critical violations.
    pub async fn check_axe(&self, axe_source: &str, page: &str) {
        if self.exec("return typeof window.axe;").await != json!("object") {
            self.exec(axe_source).await;
            assert_eq!(
                self.exec("return typeof window.axe;").await,
                json!("object"),
                "axe-core did not load on {page}"
            );
        }
        let script = "const done = arguments[arguments.length - 1];\
             axe.run(document, {resultTypes: ['violations']})\
               .then(r => done(r.violations), e => done({error: String(e)}));";
        let violations = self
            .cmd_post("/execute/async", json!({"script": script, "args": []}))
            .await;
        if let Some(err) = violations.get("error") {
            panic!("axe-core failed on {page}: {err}");
        }
        let violations = violations.as_array().expect("axe violations array");
        let bad: Vec<String> = violations
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                let targets: Vec<String> = v["nodes"]
                    .as_array()
                    .map(|nodes| {
                        nodes
                            .iter()
                            .take(3)
                            .map(|n| n["target"].to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                format!(
                    "  {} ({}): {} – {}",
                    v["id"].as_str().unwrap_or("?"),
                    v["impact"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or("?"),
                    targets.join(", ")
                )
            })
            .collect();
        let minor: Vec<&str> = violations
            .iter()
            .filter(|v| !matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .filter_map(|v| v["id"].as_str())
            .collect();
        if !minor.is_empty() {
            eprintln!(
                "axe on {page}: minor/moderate findings: {}",
                minor.join(", ")
            );
        }
        assert!(
            bad.is_empty(),
            "axe-core found serious/critical violations on {page}:\n{}",
            bad.join("\n")
        );
    }
}
