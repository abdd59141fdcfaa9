// The door's camera (GW6): reads QR codes from the back camera with the browser's BarcodeDetector
// where there is one, else with jsQR on video frames. Loaded only when a host opens it.
import jsQR from 'jsqr';
import { useEffect, useRef, useState } from 'react';

interface Detected {
  rawValue: string;
}
interface Detector {
  detect(source: CanvasImageSource): Promise<Detected[]>;
}
type DetectorClass = new (options: { formats: string[] }) => Detector;

function nativeDetector(): Detector | null {
  const Native = (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
  try {
    return Native ? new Native({ formats: ['qr_code'] }) : null;
  } catch {
    return null;
  }
}

/** Reads one frame with jsQR through an offscreen canvas. */
function readFrame(video: HTMLVideoElement, canvas: HTMLCanvasElement): string | null {
  const width = video.videoWidth;
  const height = video.videoHeight;
  if (width === 0 || height === 0) return null;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return null;
  context.drawImage(video, 0, 0, width, height);
  const { data } = context.getImageData(0, 0, width, height);
  return jsQR(data, width, height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

export default function Scanner({
  onCode,
  onClose,
}: {
  onCode: (text: string) => void;
  onClose: () => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const latest = useRef(onCode);
  latest.current = onCode;

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | null = null;
    let frame = 0;
    const canvas = document.createElement('canvas');
    const detector = nativeDetector();
    let last = '';

    const tick = async () => {
      if (stopped) return;
      const element = video.current;
      if (element && element.readyState >= 2) {
        let text: string | null = null;
        try {
          text = detector
            ? ((await detector.detect(element))[0]?.rawValue ?? null)
            : readFrame(element, canvas);
        } catch {
          text = readFrame(element, canvas);
        }
        if (text && text !== last) {
          last = text;
          latest.current(text);
        }
      }
      if (!stopped) frame = requestAnimationFrame(() => void tick());
    };

    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(async (media) => {
        stream = media;
        if (stopped || !video.current) return;
        video.current.srcObject = media;
        await video.current.play();
        frame = requestAnimationFrame(() => void tick());
      })
      .catch((error: unknown) =>
        setProblem(
          `The camera is not available (${error instanceof Error ? error.name : 'unknown error'}): type or paste the code instead.`,
        ),
      );

    return () => {
      stopped = true;
      cancelAnimationFrame(frame);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, []);

  return (
    <div className="gw-scanner" data-testid="scanner">
      {problem ? (
        <p className="gw-notice" data-tone="warn" role="alert">
          {problem}
        </p>
      ) : (
        <video
          ref={video}
          className="gw-video"
          muted
          playsInline
          aria-label="Camera view: hold the ticket's QR code here"
        />
      )}
      <button className="button button-secondary" type="button" onClick={onClose}>
        Close camera
      </button>
    </div>
  );
}
