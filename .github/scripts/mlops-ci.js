// GitHub API calls of the workflows (actions/github-script): the one pull-request comment, the promotion pull
// requests, the retraining issue. What to say is decided by the mlops CLI; this file only posts it.
const fs = require('fs');
const path = require('path');

// The hidden marker `mlops ci comment` writes first: it finds the comment to update instead of adding another.
const MARKER = '<!-- mlops-ci-comment -->';
const RETRAIN_MARKER = '<!-- mlops-retrain -->';

async function upsertComment({ github, context, file }) {
  const body = fs.readFileSync(file, 'utf8');
  const { owner, repo } = context.repo;
  const issue_number = context.issue.number;
  const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
  const existing = comments.find(c => (c.body || '').includes(MARKER));
  if (existing) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: existing.id, body });
  } else {
    await github.rest.issues.createComment({ owner, repo, issue_number, body });
  }
}

// One pull request per promotion branch (promote/MODEL-vN-ENV[...]), from the descriptions in `folder`
// (one FILE.md per branch promote/FILE, as `mlops diff` wrote it), plus the gate report when there is one.
async function upsertPromotionPullRequests({ github, context, folder, gateReport }) {
  if (!fs.existsSync(folder)) {
    return;
  }
  const { owner, repo } = context.repo;
  const gate = gateReport && fs.existsSync(gateReport) ? '\n\n' + fs.readFileSync(gateReport, 'utf8') : '';
  for (const name of fs.readdirSync(folder).filter(f => f.endsWith('.md')).sort()) {
    const branch = 'promote/' + name.slice(0, -'.md'.length);
    const body = fs.readFileSync(path.join(folder, name), 'utf8') + gate;
    const open = await github.rest.pulls.list({ owner, repo, state: 'open', head: `${owner}:${branch}` });
    if (open.data.length > 0) {
      await github.rest.pulls.update({ owner, repo, pull_number: open.data[0].number, body });
    } else {
      await github.rest.pulls.create({ owner, repo, head: branch, base: 'main', title: `Promote ${branch.slice('promote/'.length)}`, body });
    }
  }
}

// When `mlops monitor check --json` says retraining is due: one open issue per environment saying why
// (updated, not duplicated), and the merge pipeline started for that environment.
async function retrainIfDue({ github, context, file, environment }) {
  const report = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!report.retrain || report.retrain.length === 0) {
    return;
  }
  const { owner, repo } = context.repo;
  const marker = `${RETRAIN_MARKER}<!-- ${environment} -->`;
  const reasons = report.retrain.map(r => `- **${r.model}** v${r.version}: ${r.rule} firing since ${r.since}: ${r.message}`).join('\n');
  const body = `${marker}\nRetraining is due in **${environment}** (mlops monitor check at ${report.at}):\n\n${reasons}\n\n`
    + `The merge pipeline was started (${context.serverUrl}/${owner}/${repo}/actions/workflows/merge.yml); its promotion pull request carries the gate report.`;
  const issues = await github.paginate(github.rest.issues.listForRepo, { owner, repo, state: 'open', per_page: 100 });
  const existing = issues.find(i => !i.pull_request && (i.body || '').includes(marker));
  if (existing) {
    await github.rest.issues.update({ owner, repo, issue_number: existing.number, body });
  } else {
    await github.rest.issues.create({ owner, repo, title: `Retraining due in ${environment}`, body });
  }
  await github.rest.actions.createWorkflowDispatch({ owner, repo, workflow_id: 'merge.yml', ref: 'main', inputs: { environment } });
}

module.exports = { upsertComment, upsertPromotionPullRequests, retrainIfDue, MARKER };
