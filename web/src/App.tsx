import { Check } from './pages/Check';
import { Home } from './pages/Home';
import { RoomPage } from './pages/RoomPage';
import { navigate, useRoute } from './router';

export function App() {
  const route = useRoute();
  if (route.name === 'home') return <Home />;
  if (route.name === 'check') return <Check />;
  if (route.name === 'room') return <RoomPage roomId={route.roomId} />;
  return (
    <div className="grid h-full place-items-center text-center">
      <div data-testid="not-found">
        <h1 className="text-2xl font-semibold text-white">Page not found</h1>
        <button type="button" onClick={() => navigate('/')} className="mt-4 text-indigo-300 hover:underline">
          Go to the start page
        </button>
      </div>
    </div>
  );
}
