// The notes above the setup form: what stops a run from starting here (no git repository, uncommitted
// changes), how the folder sits in its repository, where the form's values came from, and problems no
// section of the form owns.
import { useState } from 'react';
import type { ProjectInfo } from '../../shared/api.js';
import type { FieldError } from '../../shared/config.js';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { toast } from '../components/Toast.js';

export function SetupBanners({ project, runLive, unplaced }: { readonly project: ProjectInfo; readonly runLive: boolean; readonly unplaced: readonly FieldError[] }) {
  const api = useApi();
  const [busyGit, setBusyGit] = useState(false);
  return (
    <>
      {!project.isGit ? (
        <div className="banner" data-testid="banner-not-git">
          <div className="grow">
            <strong>This folder is not a git repository.</strong> The studio commits every candidate and reverts failures with git, so runs need
            one. Making it one commits the current files as they are.
          </div>
          <Button
            variant="primary"
            disabledReason={busyGit ? 'Working…' : null}
            onClick={() => {
              setBusyGit(true);
              api
                .gitInit({})
                .then(() => toast('info', 'Initialised a git repository with one commit', 'git-init'))
                .catch((err: Error) => toast('error', `git init failed: ${err.message}`, 'git-init'))
                .finally(() => setBusyGit(false));
            }}
            data-testid="git-init"
          >
            Make it a git repository
          </Button>
        </div>
      ) : null}
      {project.isGit && project.repoSubfolder ? (
        <div className="banner info" data-testid="banner-subfolder">
          <div className="grow">
            <strong>A subfolder of its repository</strong> ({project.repoSubfolder}/). Each slot's worktree is a checkout of the whole repository and
            commands run in this folder's copy there; file patterns are relative to this folder, and the agent may change nothing outside it.
          </div>
        </div>
      ) : null}
      {project.dirtyFiles.length > 0 ? (
        <div className="banner" data-testid="banner-dirty">
          <div className="grow">
            <strong>Uncommitted changes</strong> in {project.dirtyFiles.slice(0, 6).join(', ')}
            {project.dirtyFiles.length > 6 ? ` and ${project.dirtyFiles.length - 6} more` : ''}. Commit or discard them before starting a run: every
            experiment starts from a commit.
          </div>
        </div>
      ) : null}
      {!project.config && project.configErrors.length > 0 ? (
        <div className="banner error" data-testid="banner-config-invalid">
          <div className="grow">
            <strong>The saved config.json is invalid</strong> ({project.configErrors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}). The form
            shows a fresh suggestion; saving replaces the file.
          </div>
        </div>
      ) : null}
      {!project.config && project.configErrors.length === 0 ? (
        <div className="banner info" data-testid="banner-suggested">
          <div className="grow">
            {project.layout === 'autoresearch'
              ? 'Detected the autoresearch layout (train.py, prepare.py, program.md): the form is prefilled from it. Review, then save.'
              : 'No setup yet: fill in the run command, the metric and the editable files, then save.'}
          </div>
        </div>
      ) : null}
      {runLive ? (
        <div className="banner info">
          <div className="grow">A run is live. It keeps the settings it started with; saved changes apply to the next run.</div>
        </div>
      ) : null}
      {unplaced.length > 0 ? (
        <div className="banner error" data-testid="setup-errors">
          <div className="grow">{unplaced.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; ')}</div>
        </div>
      ) : null}
    </>
  );
}
