import type { ReactNode } from 'react';
import { Navigate, useParams } from 'react-router';
import { defaultPage, isRole, workspacePages, type PageId } from '../roles.ts';
import { NotFoundPage } from '../pages/NotFoundPage.tsx';

/** A page renders only inside a workspace that offers it (the Shell has already checked the role is the user's). */
export function PageGuard({ page, children }: { page: PageId; children: ReactNode }) {
  const { role } = useParams();
  if (!isRole(role) || !workspacePages[role].includes(page)) return <NotFoundPage />;
  return <>{children}</>;
}

export function WorkspaceIndex() {
  const { role } = useParams();
  if (!isRole(role)) return <NotFoundPage />;
  return <Navigate to={defaultPage(role)} replace />;
}
