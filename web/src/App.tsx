import { Center, Loader } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router';
import { useAuth } from './auth/AuthProvider.tsx';
import { Shell } from './layout/Shell.tsx';
import { lazy } from 'react';
import { CallbackPage } from './pages/CallbackPage.tsx';
import { LandingPage } from './pages/LandingPage.tsx';
import { NoRolePage } from './pages/NoRolePage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { PageGuard, WorkspaceIndex } from './layout/PageGuard.tsx';
import { initialRole, workspacePath } from './roles.ts';

// Each page is its own chunk: the chart library loads only where a chart is shown.
const AccessLogPage = lazy(() => import('./pages/AccessLogPage.tsx').then((m) => ({ default: m.AccessLogPage })));
const AuditLogPage = lazy(() => import('./pages/AuditLogPage.tsx').then((m) => ({ default: m.AuditLogPage })));
const LicencesPage = lazy(() => import('./pages/LicencesPage.tsx').then((m) => ({ default: m.LicencesPage })));
const DuplicatesPage = lazy(() => import('./pages/DuplicatesPage.tsx').then((m) => ({ default: m.DuplicatesPage })));
const FacilitiesPage = lazy(() => import('./pages/FacilitiesPage.tsx').then((m) => ({ default: m.FacilitiesPage })));
const TerminologyPage = lazy(() => import('./pages/TerminologyPage.tsx').then((m) => ({ default: m.TerminologyPage })));
const ClientsPage = lazy(() => import('./pages/ClientsPage.tsx').then((m) => ({ default: m.ClientsPage })));
const WorkforcePage = lazy(() => import('./pages/WorkforcePage.tsx').then((m) => ({ default: m.WorkforcePage })));
const HealthWorkersPage = lazy(() => import('./pages/HealthWorkersPage.tsx').then((m) => ({ default: m.HealthWorkersPage })));
const ProductsPage = lazy(() => import('./pages/ProductsPage.tsx').then((m) => ({ default: m.ProductsPage })));
const ProfilePage = lazy(() => import('./pages/ProfilePage.tsx').then((m) => ({ default: m.ProfilePage })));

function Home() {
  const { t } = useTranslation();
  const { status, user } = useAuth();
  if (status === 'loading') return <Center h="100vh"><Loader aria-label={t('common.loading')} /></Center>;
  if (status === 'anonymous' || !user) return <LandingPage />;
  const role = initialRole(user.roles);
  if (!role) return <NoRolePage />;
  return <Navigate to={workspacePath(role)} replace />;
}

export function App() {
  return (
    <Routes>
      <Route path="/" element={<Home />} />
      <Route path="/callback" element={<CallbackPage />} />
      <Route path="/w/:role" element={<Shell />}>
        <Route index element={<WorkspaceIndex />} />
        <Route path="profile" element={<PageGuard page="profile"><ProfilePage /></PageGuard>} />
        <Route path="access-log" element={<PageGuard page="access-log"><AccessLogPage /></PageGuard>} />
        <Route path="audit-log" element={<PageGuard page="audit-log"><AuditLogPage /></PageGuard>} />
        <Route path="licences" element={<PageGuard page="licences"><LicencesPage /></PageGuard>} />
        <Route path="duplicates" element={<PageGuard page="duplicates"><DuplicatesPage /></PageGuard>} />
        <Route path="clients" element={<PageGuard page="clients"><ClientsPage /></PageGuard>} />
        <Route path="facilities" element={<PageGuard page="facilities"><FacilitiesPage /></PageGuard>} />
        <Route path="terminology" element={<PageGuard page="terminology"><TerminologyPage /></PageGuard>} />
        <Route path="workforce" element={<PageGuard page="workforce"><WorkforcePage /></PageGuard>} />
        <Route path="health-workers" element={<PageGuard page="health-workers"><HealthWorkersPage /></PageGuard>} />
        <Route path="products" element={<PageGuard page="products"><ProductsPage /></PageGuard>} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
